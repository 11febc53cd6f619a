/** The import page's styles, after the dashboard's. */
export const importStyles = `
  form.upload { max-width: 640px; }
  form.upload fieldset { gap: 6px 18px; }
  label.choice { display: flex; gap: 8px; align-items: center; font-weight: 400; }
  input[type=file] { font: inherit; }
  progress { width: 100%; max-width: 640px; height: 18px; }
  table.totals { width: auto; min-width: 320px; margin: 8px 0 16px; }
  table.totals caption { text-align: left; font-weight: 600; padding: 4px 0; }
  table.totals td { text-align: right; }
  ul.skips { padding-left: 20px; font-size: 14px; overflow-wrap: anywhere; }
  ul.skips li { margin: 4px 0; }
  .actions form { display: inline-block; margin: 0 8px 8px 0; }
  button:disabled { opacity: .55; cursor: not-allowed; }
`;
