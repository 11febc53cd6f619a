/**
 * The widget's whole stylesheet, placed in its shadow root. The host page's inherited
 * properties (font, color, line-height, alignment...) are reset on `.parley` so a
 * page's typography cannot distort it; logical properties keep RTL pages right.
 * Avatars are 32% light so their white initial keeps 4.5:1 on every hue (yellow, the
 * worst, had 2.9:1 at 42%).
 */
export const widgetStyles = `
:host{display:block}
.parley{
  --fg:var(--parley-fg,#1f2328);--muted:var(--parley-muted,#59636e);--border:var(--parley-border,#d1d9e0);
  --surface:var(--parley-surface,#f6f8fa);--field:var(--parley-field,#fff);--accent:var(--parley-accent,#0b63c5);
  --accent-fg:var(--parley-accent-fg,#fff);--danger:var(--parley-danger,#c62828);--note:#7a4d00;--note-bg:#fff3d6;
  color-scheme:light;container-type:inline-size;
  font:var(--parley-font-size,15px)/1.55 var(--parley-font,system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Arabic",Tahoma,sans-serif);
  color:var(--fg);text-align:start;text-indent:0;text-transform:none;letter-spacing:normal;word-spacing:normal;
  white-space:normal;font-style:normal;font-weight:400;visibility:visible;
}
.parley[data-theme=dark]{
  --fg:var(--parley-fg,#e6edf3);--muted:var(--parley-muted,#9ea7b3);--border:var(--parley-border,#3d444d);
  --surface:var(--parley-surface,#1c232c);--field:var(--parley-field,#0f141a);--accent:var(--parley-accent,#4493f8);
  --accent-fg:var(--parley-accent-fg,#0b1220);--danger:var(--parley-danger,#ff7b72);--note:#f0c46c;--note-bg:#3a2c0b;color-scheme:dark;
}
@media (prefers-color-scheme:dark){
  .parley[data-theme=auto]{
    --fg:var(--parley-fg,#e6edf3);--muted:var(--parley-muted,#9ea7b3);--border:var(--parley-border,#3d444d);
    --surface:var(--parley-surface,#1c232c);--field:var(--parley-field,#0f141a);--accent:var(--parley-accent,#4493f8);
    --accent-fg:var(--parley-accent-fg,#0b1220);--danger:var(--parley-danger,#ff7b72);--note:#f0c46c;--note-bg:#3a2c0b;color-scheme:dark;
  }
}
*,*::before,*::after{box-sizing:border-box}
p{margin:0}
button,input,select,textarea{font:inherit;color:inherit}
button{cursor:pointer}
:focus-visible{outline:2px solid var(--accent);outline-offset:2px}
a{color:var(--accent)}

.account{display:flex;align-items:center;justify-content:flex-end;flex-wrap:wrap;gap:4px 8px;
  margin-block-end:8px;font-size:13.5px;color:var(--muted)}
.who{display:flex;align-items:center;gap:8px;overflow-wrap:anywhere}
.who img{flex:none;border-radius:50%}
.who strong{color:var(--fg)}
.account-note{flex-basis:100%;text-align:end}
.badge{padding:0 6px;border:1px solid var(--border);border-radius:4px;font-size:11.5px;font-weight:600;line-height:1.5}
.pinned{border-color:currentColor;color:var(--accent)}
.thread-head{display:flex;align-items:center;justify-content:space-between;gap:12px;flex-wrap:wrap;
  padding-block-end:10px;margin-block-end:16px;border-block-end:1px solid var(--border)}
h2{margin:0;font-size:18px;font-weight:650;line-height:1.3}
.reading{margin-inline-end:auto;color:var(--muted);font-size:13px}
.reading::before{content:"";display:inline-block;width:8px;height:8px;margin-inline-end:6px;border-radius:50%;background:#2da44e}
.sort{display:flex;align-items:center;gap:8px;color:var(--muted);font-size:14px}
select{padding:4px 8px;border:1px solid var(--border);border-radius:6px;background:var(--field)}

.composer{position:relative;display:grid;gap:8px;margin-block-end:20px}
.hp{position:absolute;top:-10000px;inset-inline-start:0;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
textarea,input{width:100%;padding:9px 11px;border:1px solid var(--border);border-radius:8px;background:var(--field)}
textarea{min-height:5.2em;max-height:60vh;resize:vertical;field-sizing:content;overflow-wrap:anywhere}
.reply-composer textarea{min-height:3.8em}
textarea:focus,input:focus,select:focus{outline:2px solid var(--accent);outline-offset:-1px;border-color:var(--accent)}
.identity{display:flex;flex-wrap:wrap;gap:8px 12px}
.identity label{flex:1 1 180px;display:grid;gap:2px;font-size:13px;color:var(--muted)}
.identity input{font-size:15px;color:var(--fg)}
.hint,.posting-as{font-size:12.5px;color:var(--muted)}
.identity .hint{flex-basis:100%}
fieldset{display:grid;gap:2px;margin:0;padding:0;border:0;min-width:0}
legend{padding:0;margin-block-end:4px;font-size:14px;font-weight:600}
.choice{display:flex;align-items:center;gap:8px;font-size:14px}
.choice input{width:auto;margin:0;padding:0;accent-color:var(--accent)}
.field{display:grid;gap:2px;font-size:13px;color:var(--muted)}
.field textarea{min-height:3.8em;font-size:15px;color:var(--fg)}
.hint code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;padding:0 3px;border-radius:4px;background:var(--surface)}
.form-buttons{display:flex;justify-content:flex-end;gap:8px}
.primary,.secondary,.more,.status button{padding:7px 16px;border-radius:8px;font-weight:600;font-size:14px}
.primary{border:1px solid var(--accent);background:var(--accent);color:var(--accent-fg)}
.primary:hover{filter:brightness(1.08)}
.primary:disabled{opacity:.6;cursor:progress}
.secondary,.more,.status button{border:1px solid var(--border);background:transparent}
.secondary:hover,.more:hover,.status button:hover{background:var(--surface)}
.link{border:0;padding:0;background:none;color:var(--accent);text-decoration:underline;font-size:inherit}

.comments,.replies{list-style:none;margin:0;padding:0}
.item{margin:0}
/* A long thread lays out and paints only the comments near the viewport (the rest keep their last size). */
.comments>.item,.replies>.item{content-visibility:auto;contain-intrinsic-size:auto 120px}
.comment{padding-block:10px}
.meta{display:flex;align-items:center;flex-wrap:wrap;gap:4px 8px;font-size:13.5px;color:var(--muted)}
.avatar{--hue:210;flex:none;display:grid;place-items:center;width:32px;height:32px;border-radius:50%;
  background:hsl(var(--hue) 45% 32%);color:#fff;font-weight:600;font-size:15px}
.author{color:var(--fg);font-weight:600;font-size:14.5px;overflow-wrap:anywhere}
time{white-space:nowrap}
.note{padding:1px 8px;border-radius:999px;background:var(--note-bg);color:var(--note);font-size:12px;font-weight:600}
.main{margin-inline-start:40px}
.body{margin-block:4px 2px;overflow-wrap:anywhere;unicode-bidi:plaintext}
.body p,.body ul,.body ol,.body pre,.body blockquote{margin:0 0 .6em}
.body>:last-child{margin-block-end:0}
.body blockquote{padding-inline-start:12px;border-inline-start:3px solid var(--border);color:var(--muted)}
.body code{font:.9em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;padding:1px 4px;border-radius:4px;background:var(--surface)}
.body pre{padding:10px 12px;border-radius:8px;background:var(--surface);overflow:auto}
.body pre code{padding:0;background:none}
.body img{max-width:100%;height:auto}
.comment .composer{margin-block:8px 4px}
.actions{display:flex;align-items:center;flex-wrap:wrap;gap:2px;margin-inline-start:-6px}
.actions button{border:0;border-radius:6px;padding:3px 8px;background:transparent;color:var(--muted);font-size:13px;font-weight:600}
.actions button:hover{background:var(--surface);color:var(--fg)}
.actions .danger:hover{color:var(--danger)}
.votes{display:inline-flex;align-items:center;margin-inline-end:6px}
.actions .vote{padding:4px 6px;line-height:0}
/* The arrows are drawn by CSS: no SVG elements to create for each of 500 comments. */
.vote::before{content:"";display:inline-block;border:6px solid transparent;border-block-end:8px solid currentColor;border-block-start:0;margin-block:3px}
.vote.down::before{border-block-start:8px solid currentColor;border-block-end:0}
.vote.up[aria-pressed=true]{color:var(--accent)}
.vote.down[aria-pressed=true]{color:var(--danger)}
.score{min-width:1.6em;text-align:center;font-size:13px;font-weight:600;font-variant-numeric:tabular-nums}
.placeholder{color:var(--muted);font-style:italic}
.mod-note{margin-block-start:2px;padding-inline-start:10px;border-inline-start:3px solid var(--border);overflow-wrap:anywhere}
.actions button:disabled{cursor:default}
.actions button:disabled:hover{background:transparent;color:var(--muted)}
.permalink{color:inherit;text-decoration:none}
.permalink:hover{text-decoration:underline}
.in-reply{color:var(--muted);font-size:12.5px}
.toggle{margin-inline-start:auto;min-width:24px;padding:0 6px;border:1px solid transparent;border-radius:6px;background:none;color:var(--muted);font-weight:700}
.toggle:hover{border-color:var(--border);color:var(--fg)}
.hidden-count{margin-inline-start:auto;font-size:12.5px}
.hidden-count+.toggle{margin-inline-start:0}
.gone{display:flex;flex-wrap:wrap;align-items:center;gap:4px 8px}
.gone .mod-note{order:1;flex-basis:100%}
.clip{max-height:38.75em;overflow:hidden;-webkit-mask-image:linear-gradient(#000 85%,#0000);mask-image:linear-gradient(#000 85%,#0000)}
.more-text{font-size:13px;font-weight:600}
.continue,.back{display:inline-block;margin-block:4px;font-size:13.5px;font-weight:600;color:var(--accent)}
.back{margin-block-end:12px}
.target{animation:fresh 6s ease-out;box-shadow:inset 3px 0 var(--accent)}
.parley[dir=rtl] .target{box-shadow:inset -3px 0 var(--accent)}
.replies{margin-inline-start:15px;padding-inline-start:14px;border-inline-start:2px solid var(--border)}
.replies.flat{margin-inline-start:0;padding-inline-start:0;border-inline-start:0}
.error{color:var(--danger);font-size:14px}
.notice,.empty,.status{color:var(--muted);padding-block:12px}
.status{display:grid;gap:8px;justify-items:start}
.more{display:block;width:100%;margin-block-start:12px}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
.incoming{position:sticky;top:8px;z-index:1;height:0;display:flex;justify-content:center}
.incoming button{height:max-content;padding:7px 16px;border:0;border-radius:999px;
  background:var(--accent);color:var(--accent-fg);font-weight:600;font-size:14px;box-shadow:0 2px 8px #0004}
.fresh{animation:fresh 3s ease-out}
@keyframes fresh{from{background:var(--note-bg)}}
@media (prefers-reduced-motion:reduce){.fresh{animation:none;outline:2px solid var(--note-bg)}}
.more[aria-busy=true]{opacity:.6;cursor:progress}
.powered{margin-block-start:18px;font-size:12px;color:var(--muted);text-align:end}
.powered a{color:inherit}
/* Fingers need room: every control at least 44 by 44 CSS pixels on touch screens (WCAG 2.5.5). */
@media (pointer:coarse){
  button,select,a:not(.body *){min-height:44px;min-width:44px}
  a:not(.body *){display:inline-flex;align-items:center}
  .actions .vote{padding:4px 14px}
  .toggle{min-width:44px}
  .choice{min-height:44px}
}
@container (max-width:480px){
  .main{margin-inline-start:0}
  .replies{margin-inline-start:4px;padding-inline-start:10px}
}
`;
