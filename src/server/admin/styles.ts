/** The dashboard's styles, after the own pages' common ones (colors from their variables). */
export const dashboardStyles = `
  main.wide { max-width: 1080px; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
  .crumbs { margin: 0 0 8px; font-size: 14px; }
  .site-links { margin: -8px 0 16px; }
  nav.tabs ul { list-style: none; display: flex; flex-wrap: wrap; gap: 4px; padding: 0; margin: 0 0 16px; border-bottom: 1px solid var(--rule); }
  nav.tabs a { display: inline-block; padding: 8px 12px; text-decoration: none; border: 1px solid transparent; border-bottom: 0; border-radius: 6px 6px 0 0; }
  nav.tabs a[aria-current="page"] { border-color: var(--rule); background: var(--bg); font-weight: 700; margin-bottom: -1px; color: var(--ink); }
  .count { display: inline-block; min-width: 1.6em; padding: 0 6px; margin-left: 4px; border-radius: 10px; border: 1px solid currentColor; font-size: 13px; text-align: center; }
  details.search { margin: 0 0 12px; }
  details.search summary { cursor: pointer; font-weight: 600; }
  form.filters { grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); align-items: end; margin-top: 8px; }
  form.filters .wide-field { grid-column: span 2; }
  input[type=date], select, input[type=search] { font: inherit; padding: 7px 8px; border: 1px solid var(--rule); border-radius: 6px; background: transparent; color: inherit; }
  select option { background: var(--bg); color: var(--ink); }
  fieldset { border: 1px solid var(--rule); border-radius: 6px; margin: 0; padding: 8px 10px; display: flex; flex-wrap: wrap; gap: 6px 8px; align-items: end; }
  legend { font-weight: 600; font-size: 14px; padding: 0 4px; }
  form.inline { display: block; margin: 0; }
  .toolbar { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin: 0 0 12px; }
  .toolbar form { flex: 1 1 420px; }
  button.small, .actions button { padding: 5px 10px; font-size: 14px; }
  button.danger { border-color: var(--err); background: transparent; color: var(--err); }
  label.reason { font-size: 13px; font-weight: 600; }
  label.reason input, label.until input { padding: 5px 8px; font-size: 14px; }
  ol.items { list-style: none; padding: 0; margin: 0; }
  ol.items > li { border: 1px solid var(--rule); border-radius: 8px; margin: 0 0 12px; }
  ol.items > li.fresh { border-color: var(--accent); }
  article.item { padding: 12px 14px; }
  article.item:focus { outline: 3px solid var(--accent); outline-offset: 2px; border-radius: 8px; }
  article.item h3 { font-size: 16px; margin: 0; display: inline; }
  .item-head { display: flex; flex-wrap: wrap; gap: 6px 10px; align-items: baseline; }
  .badge { font-size: 13px; border: 1px solid var(--rule); border-radius: 4px; padding: 0 6px; }
  .body { border-left: 3px solid var(--rule); padding: 2px 12px; margin: 10px 0; overflow-wrap: anywhere; }
  .body p { margin: 6px 0; }
  .why { margin: 6px 0; }
  ul.flags { margin: 4px 0 8px; padding-left: 20px; }
  dl.history { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 8px 0; font-size: 14px; }
  dl.history dt { color: var(--muted); }
  dl.history dd { margin: 0; }
  .action-groups { display: grid; gap: 8px; margin-top: 10px; }
  .pager { display: flex; gap: 16px; margin: 16px 0; }
  table.audit { width: 100%; border-collapse: collapse; font-size: 14px; }
  table.audit th, table.audit td { text-align: left; border-bottom: 1px solid var(--rule); padding: 6px 8px; vertical-align: top; }
  table.audit code { font-size: 12px; overflow-wrap: anywhere; }
  #help { position: fixed; inset: 10% auto auto 50%; transform: translateX(-50%); width: min(420px, 92vw); background: var(--bg); color: var(--ink); border: 2px solid var(--accent); border-radius: 8px; padding: 16px 20px; box-shadow: 0 8px 30px rgba(0,0,0,.35); z-index: 10; }
  #help dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; }
  #help dd { margin: 0; }
  kbd { font: 600 14px ui-monospace, monospace; border: 1px solid var(--rule); border-radius: 4px; padding: 0 6px; }
  .problem { color: var(--err); font-weight: 600; }
`;
