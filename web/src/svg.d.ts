// esbuild's text loader turns our own SVG files into strings at build time.
declare module '*.svg' {
  const text: string;
  export default text;
}
