// Draws the extension's 128x128 icon (images/icon.png): a runbook page with a health pulse on
// Exchange blue. Plain geometry rasterised with 4x4 supersampling and PNG-encoded with node's zlib,
// so the picture is reproducible without an image tool. Run: node scripts/draw-icon.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const SIZE = 128;
const SAMPLES = 4;

/** Distance from (px, py) to the segment (ax, ay)-(bx, by). */
function segmentDistance(px, py, ax, ay, bx, by) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

function roundedRect(x, y, w, h, r) {
  return (px, py) => {
    const qx = Math.abs(px - (x + w / 2)) - (w / 2 - r);
    const qy = Math.abs(py - (y + h / 2)) - (h / 2 - r);
    return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r <= 0;
  };
}

function polyline(points, width) {
  return (px, py) => {
    for (let i = 1; i < points.length; i++) {
      const [ax, ay] = points[i - 1];
      const [bx, by] = points[i];
      if (segmentDistance(px, py, ax, ay, bx, by) <= width / 2) return true;
    }
    return false;
  };
}

function triangle([ax, ay], [bx, by], [cx, cy]) {
  const side = (x1, y1, x2, y2, px, py) => (x2 - x1) * (py - y1) - (y2 - y1) * (px - x1);
  return (px, py) => {
    const d1 = side(ax, ay, bx, by, px, py);
    const d2 = side(bx, by, cx, cy, px, py);
    const d3 = side(cx, cy, ax, ay, px, py);
    return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
  };
}

const not = (shape) => (px, py) => !shape(px, py);
const both = (a, b) => (px, py) => a(px, py) && b(px, py);

// Exchange's blue, lighter at the top; the page is white with its corner folded; text lines in
// grey; the pulse in the Healthy green of the health view.
const background = roundedRect(4, 4, 120, 120, 22);
const fold = triangle([84, 18], [104, 38], [84, 38]);
const pageCut = triangle([84, 17], [105, 17], [105, 38]);
const page = both(roundedRect(28, 18, 76, 94, 8), not(pageCut));
const lines = [polyline([[40, 36], [72, 36]], 6), polyline([[40, 50], [88, 50]], 6), polyline([[40, 64], [80, 64]], 6)];
const pulse = polyline([[16, 88], [42, 88], [50, 74], [60, 104], [70, 80], [76, 88], [112, 88]], 8);

const layers = [
  { shape: background, color: (_x, y) => mix([0x1a, 0x86, 0xd9], [0x0b, 0x4f, 0x9c], y / SIZE) },
  { shape: page, color: () => [0xff, 0xff, 0xff] },
  { shape: fold, color: () => [0xc9, 0xd8, 0xea] },
  ...lines.map((shape) => ({ shape, color: () => [0x9a, 0xa9, 0xbb] })),
  { shape: pulse, color: () => [0x2e, 0xa0, 0x43] },
];

function mix(a, b, t) {
  return a.map((v, i) => v + (b[i] - v) * t);
}

const rows = [];
for (let y = 0; y < SIZE; y++) {
  const row = Buffer.alloc(1 + SIZE * 4);
  for (let x = 0; x < SIZE; x++) {
    let r = 0;
    let g = 0;
    let b = 0;
    let a = 0;
    for (let sy = 0; sy < SAMPLES; sy++) {
      for (let sx = 0; sx < SAMPLES; sx++) {
        const px = x + (sx + 0.5) / SAMPLES;
        const py = y + (sy + 0.5) / SAMPLES;
        let color;
        for (const layer of layers) if (layer.shape(px, py)) color = layer.color(px, py);
        if (color) {
          r += color[0];
          g += color[1];
          b += color[2];
          a += 1;
        }
      }
    }
    // Colour is averaged over covered samples only (not premultiplied), alpha is the coverage.
    const i = 1 + x * 4;
    row[i] = a ? Math.round(r / a) : 0;
    row[i + 1] = a ? Math.round(g / a) : 0;
    row[i + 2] = a ? Math.round(b / a) : 0;
    row[i + 3] = Math.round((255 * a) / (SAMPLES * SAMPLES));
  }
  rows.push(row);
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header[8] = 8; // bit depth
header[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(new URL('../images/icon.png', import.meta.url), png);
console.log(`images/icon.png: ${SIZE}x${SIZE}, ${png.length} bytes`);
