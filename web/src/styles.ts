// The component's stylesheet. Colours use light-dark(): JupyterHub 5/6 (Bootstrap 5.3) set
// `color-scheme: dark` with data-bs-theme="dark", which the shadow tree inherits; other pages
// follow their own color-scheme. Every pair below meets WCAG AA (4.5:1) for its text size.
export const STYLES = `
:host { display: block; color-scheme: inherit; font-family: inherit; text-align: start;
  --sd-fg: light-dark(#1f2328, #e6e8eb); --sd-muted: light-dark(#525a63, #b2bac2);
  --sd-card-bg: light-dark(#ffffff, #1c2128); --sd-card-border: light-dark(#efc3be, #6d3b37);
  --sd-accent: light-dark(#a1262f, #ffb1a8); --sd-note-bg: light-dark(#eef5fd, #17283b);
  --sd-note-border: light-dark(#b9d4f1, #2f4d6e); --sd-btn-bg: light-dark(#0b57c2, #8bb8ff);
  --sd-btn-fg: light-dark(#ffffff, #0b1220); --sd-btn2-fg: light-dark(#0b57c2, #a9caff);
  --sd-focus: light-dark(#7a3cff, #d2b8ff); --sd-pic-bg: light-dark(#e6effa, #243447); }
:host([hidden]) { display: none; }
[hidden] { display: none !important; }
.wrap { max-width: 46rem; margin: 0 auto 1.25rem; color: var(--sd-fg); }
.card { display: flex; gap: 1.25rem; align-items: flex-start; padding: 1.25rem 1.5rem;
  background: var(--sd-card-bg); border: 1px solid var(--sd-card-border); border-left-width: 6px;
  border-radius: 14px; box-shadow: 0 6px 24px light-dark(rgb(31 35 40 / 8%), rgb(0 0 0 / 35%)); }
.card:focus { outline: none; }
.pic { flex: 0 0 9.5rem; }
.pic svg { width: 100%; height: auto; display: block; }
.pic .sd-bg { fill: var(--sd-pic-bg); }
.body { flex: 1 1 18rem; min-width: 0; }
h2 { margin: 0 0 .35rem; font-size: 1.45rem; line-height: 1.25; color: var(--sd-accent); font-weight: 700; }
.title { margin: 0 0 .5rem; font-size: 1.1rem; font-weight: 600; overflow-wrap: anywhere; }
.detail { margin: 0 0 .75rem; line-height: 1.5; overflow-wrap: anywhere; white-space: pre-line; }
h3 { margin: .75rem 0 .35rem; font-size: 1rem; font-weight: 600; }
ul { margin: 0 0 .75rem; padding-inline-start: 1.25rem; }
li { margin: .3rem 0; line-height: 1.45; overflow-wrap: anywhere; }
li button { margin-top: .35rem; display: block; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; margin-top: .75rem; }
button, a.btn { font: inherit; font-size: .95rem; border-radius: 8px; padding: .45rem .9rem; cursor: pointer;
  text-decoration: none; border: 2px solid var(--sd-btn-bg); display: inline-block; line-height: 1.3; }
button, a.btn.primary { background: var(--sd-btn-bg); color: var(--sd-btn-fg); }
a.btn.secondary { background: transparent; color: var(--sd-btn2-fg); border-color: currentColor; }
button:disabled { opacity: .6; cursor: progress; }
button:focus-visible, a:focus-visible, summary:focus-visible { outline: 3px solid var(--sd-focus); outline-offset: 2px; }
.status { margin: .5rem 0 0; font-weight: 600; }
.status.error { color: var(--sd-accent); }
.meta { margin: .75rem 0 0; font-size: .85rem; color: var(--sd-muted); overflow-wrap: anywhere; }
details { margin-top: .5rem; font-size: .85rem; color: var(--sd-muted); }
details p { margin: .35rem 0 0; overflow-wrap: anywhere; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
summary { cursor: pointer; }
.note { display: flex; gap: .9rem; align-items: center; padding: .9rem 1.1rem; background: var(--sd-note-bg);
  border: 1px solid var(--sd-note-border); border-radius: 12px; }
.note p { margin: 0; line-height: 1.45; overflow-wrap: anywhere; }
.note .note-title { font-weight: 600; }
.dot { flex: 0 0 auto; width: 2.2rem; height: 2.2rem; border-radius: 50%; border: 4px solid var(--sd-note-border);
  border-top-color: var(--sd-btn-bg); animation: sd-spin 1.2s linear infinite; }
@keyframes sd-spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .dot { animation: none; } }
@media (max-width: 36rem) { .card { flex-direction: column; align-items: center; } .pic { flex-basis: auto; width: 8rem; } }
`;
