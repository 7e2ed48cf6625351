// A horizontal bar chart as inline SVG, drawn by hand: no chart library on the people's pages.

const SVG = "http://www.w3.org/2000/svg";

function el(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** bars: [{label, value}] on a 0..max scale; the label and the value are written beside each bar. */
export function barChart(bars, { max = 100, width = 760, barHeight = 22, labelWidth = 220, unit = "" } = {}) {
  const gap = 6;
  const plot = width - labelWidth - 60;
  const height = Math.max(1, bars.length) * (barHeight + gap) + gap;
  const svg = el("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "综合得分排名" });
  svg.append(el("line", { class: "axis", x1: labelWidth, y1: 0, x2: labelWidth, y2: height }));
  bars.forEach((bar, i) => {
    const y = gap + i * (barHeight + gap);
    const length = Math.max(0, Math.min(1, bar.value / max)) * plot;
    const group = el("g", { class: "bar-row", "data-label": bar.label });
    group.append(
      el("text", { class: "bar-label", x: labelWidth - 6, y: y + barHeight * 0.7, "text-anchor": "end" }, bar.label),
      el("rect", { class: "bar", x: labelWidth, y, width: length.toFixed(1), height: barHeight }),
      el("text", { class: "bar-value", x: labelWidth + length + 4, y: y + barHeight * 0.7 },
        `${bar.value}${unit}`),
    );
    svg.append(group);
  });
  return svg;
}
