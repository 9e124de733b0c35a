/**
 * A standalone SVG file from a live chart. The live chart takes its colours from VS Code's CSS
 * variables, which mean nothing outside the webview, so the computed colours are copied onto the
 * copy's elements (through CSSOM, which the CSP allows) before it is serialised.
 */
const PROPS = [
  "fill",
  "fill-opacity",
  "stroke",
  "stroke-width",
  "stroke-opacity",
  "stroke-dasharray",
  "opacity",
  "font-family",
  "font-size",
  "font-weight",
];

export function svgToFile(svg: SVGSVGElement): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  const src = [svg, ...Array.from(svg.querySelectorAll("*"))];
  const dst = [copy, ...Array.from(copy.querySelectorAll("*"))];
  src.forEach((el, i) => {
    const cs = getComputedStyle(el);
    const target = dst[i] as SVGElement | undefined;
    if (!target?.style) return;
    for (const p of PROPS) {
      const v = cs.getPropertyValue(p);
      if (v) target.style.setProperty(p, v);
    }
  });
  // The clickable tail bins are the panel's, not the chart's.
  for (const g of Array.from(copy.querySelectorAll(".chart-targets"))) g.remove();
  copy.removeAttribute("class");
  copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  const vb = svg.viewBox.baseVal;
  if (vb?.width) {
    copy.setAttribute("width", String(vb.width));
    copy.setAttribute("height", String(vb.height));
  }
  // A background, so the file reads the same on a white or a dark viewer.
  const bg = document.createElementNS("http://www.w3.org/2000/svg", "rect");
  bg.setAttribute("width", "100%");
  bg.setAttribute("height", "100%");
  bg.style.setProperty("fill", getComputedStyle(document.body).backgroundColor || "white");
  copy.insertBefore(bg, copy.firstChild);
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(copy) + "\n";
}
