// Draws the extension icon (media/icon.png, 128x128) with no dependencies: a dark tile, four CPU
// "timeline" lanes of vCPU run segments, one segment lifted and highlighted as a boosted vCPU,
// and an up arrow. Run: node media/make-icon.mjs
import { deflateSync } from "node:zlib";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const W = 128,
  H = 128;
const px = new Uint8Array(W * H * 4);
const hex = (h) => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];

function blend(x, y, [r, g, b], a = 1) {
  if (x < 0 || y < 0 || x >= W || y >= H) return;
  const i = (y * W + x) * 4;
  const sa = a,
    da = (px[i + 3] ?? 0) / 255,
    oa = sa + da * (1 - sa);
  if (oa === 0) return;
  px[i] = Math.round((r * sa + (px[i] ?? 0) * da * (1 - sa)) / oa);
  px[i + 1] = Math.round((g * sa + (px[i + 1] ?? 0) * da * (1 - sa)) / oa);
  px[i + 2] = Math.round((b * sa + (px[i + 2] ?? 0) * da * (1 - sa)) / oa);
  px[i + 3] = Math.round(oa * 255);
}

/** Filled rounded rectangle with 4x4 supersampled edges. */
function rrect(x0, y0, x1, y1, rad, color, alpha = 1) {
  for (let y = Math.floor(y0); y < Math.ceil(y1); y++)
    for (let x = Math.floor(x0); x < Math.ceil(x1); x++) {
      let cov = 0;
      for (let sy = 0; sy < 4; sy++)
        for (let sx = 0; sx < 4; sx++) {
          const px_ = x + (sx + 0.5) / 4,
            py = y + (sy + 0.5) / 4;
          if (px_ < x0 || px_ > x1 || py < y0 || py > y1) continue;
          const cx = Math.min(Math.max(px_, x0 + rad), x1 - rad),
            cy = Math.min(Math.max(py, y0 + rad), y1 - rad);
          if ((px_ - cx) ** 2 + (py - cy) ** 2 <= rad * rad) cov++;
        }
      if (cov) blend(x, y, color, (alpha * cov) / 16);
    }
}

/** Filled triangle, supersampled. */
function tri(ax, ay, bx, by, cx, cy, color) {
  const s = (px_, py, x1, y1, x2, y2) => (px_ - x2) * (y1 - y2) - (x1 - x2) * (py - y2);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      let cov = 0;
      for (let sy = 0; sy < 4; sy++)
        for (let sx = 0; sx < 4; sx++) {
          const p = x + (sx + 0.5) / 4,
            q = y + (sy + 0.5) / 4;
          const d1 = s(p, q, ax, ay, bx, by),
            d2 = s(p, q, bx, by, cx, cy),
            d3 = s(p, q, cx, cy, ax, ay);
          const neg = d1 < 0 || d2 < 0 || d3 < 0,
            pos = d1 > 0 || d2 > 0 || d3 > 0;
          if (!(neg && pos)) cov++;
        }
      if (cov) blend(x, y, color, cov / 16);
    }
}

rrect(0, 0, 128, 128, 22, hex("#1e2a38"));
const lanes = [30, 52, 74, 96];
const seg = hex("#4f8fd6"),
  host = hex("#7d8a99"),
  boost = hex("#f2a93b");
// Each lane: [start, end, kind] segments; kind 0 = vCPU thread, 1 = host task.
const plan = [
  [
    [14, 44, 0],
    [48, 70, 1],
    [74, 114, 0],
  ],
  [
    [14, 36, 1],
    [40, 62, 0],
    [66, 114, 1],
  ],
  [
    [14, 54, 0],
    [58, 80, 1],
    [84, 114, 0],
  ],
  [
    [14, 30, 1],
    [34, 76, 0],
    [80, 114, 1],
  ],
];
plan.forEach((segs, i) => {
  const lane = lanes[i] ?? 0;
  for (const [a, b, k] of segs) rrect(a, lane - 7, b, lane + 7, 3, k ? host : seg, 0.95);
});
// The boosted vCPU: lane 2's middle segment raised in amber, with an arrow above it.
rrect(40, 45, 62, 59, 3, boost);
tri(51, 14, 41, 28, 61, 28, boost);
rrect(47.5, 26, 54.5, 45, 1.5, boost);

// PNG encoding (RGBA, filter 0 per row).
const raw = Buffer.alloc((W * 4 + 1) * H);
for (let y = 0; y < H; y++) {
  raw[y * (W * 4 + 1)] = 0;
  Buffer.from(px.buffer, y * W * 4, W * 4).copy(raw, y * (W * 4 + 1) + 1);
}
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = (crcTable[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const c = Buffer.alloc(4);
  c.writeUInt32BE(crc(td));
  return Buffer.concat([len, td, c]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(W, 0);
ihdr.writeUInt32BE(H, 4);
ihdr[8] = 8;
ihdr[9] = 6;
ihdr[10] = 0;
ihdr[11] = 0;
ihdr[12] = 0;
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk("IHDR", ihdr),
  chunk("IDAT", deflateSync(raw, { level: 9 })),
  chunk("IEND", Buffer.alloc(0)),
]);
writeFileSync(fileURLToPath(new URL("./icon.png", import.meta.url)), png);
console.log(`wrote media/icon.png (${png.length} bytes)`);
