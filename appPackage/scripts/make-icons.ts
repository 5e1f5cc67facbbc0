/**
 * Draws the Teams app icons (a shield with a check mark) and writes them as real PNGs:
 *   appPackage/color.png    192x192, full colour, opaque background
 *   appPackage/outline.png   32x32, white on transparent
 * Run: npx tsx appPackage/scripts/make-icons.ts   (the PNGs are committed; re-run after changes)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

export interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

export interface Image {
  width: number;
  height: number;
  /** RGBA, 8 bits per channel, row-major, no padding. */
  pixels: Uint8Array;
}

export const ACCENT: Rgba = { r: 0x2e, g: 0x5e, b: 0x4e, a: 255 };
const WHITE: Rgba = { r: 255, g: 255, b: 255, a: 255 };
const TRANSPARENT: Rgba = { r: 0, g: 0, b: 0, a: 0 };

// ---------------------------------------------------------------- shapes (unit square 0..1)

/** Shield: straight top, straight sides, sides curving into a point at the bottom. */
function insideShield(u: number, v: number, inset = 0): boolean {
  const top = 0.04 + inset;
  const bottom = 0.98 - inset * 1.6;
  const halfWidth = 0.42 - inset;
  const shoulder = 0.5;
  if (v < top || v > bottom || halfWidth <= 0) return false;
  const dx = Math.abs(u - 0.5);
  if (v <= shoulder) return dx <= halfWidth;
  const t = (v - shoulder) / (bottom - shoulder);
  return dx <= halfWidth * Math.cos((t * Math.PI) / 2);
}

function distanceToSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const vx = bx - ax;
  const vy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * vx + (py - ay) * vy) / (vx * vx + vy * vy)));
  return Math.hypot(px - (ax + t * vx), py - (ay + t * vy));
}

/** A check mark of two strokes with round ends. */
function insideCheck(u: number, v: number, thickness: number): boolean {
  const half = thickness / 2;
  return (
    distanceToSegment(u, v, 0.3, 0.5, 0.45, 0.65) <= half ||
    distanceToSegment(u, v, 0.45, 0.65, 0.72, 0.34) <= half
  );
}

// ---------------------------------------------------------------- rendering

type Shader = (u: number, v: number) => Rgba;

/** Renders with 4x4 supersampling (premultiplied average) for smooth edges. */
export function render(size: number, shade: Shader): Image {
  const pixels = new Uint8Array(size * size * 4);
  const n = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const c = shade((x + (sx + 0.5) / n) / size, (y + (sy + 0.5) / n) / size);
          r += c.r * c.a;
          g += c.g * c.a;
          b += c.b * c.a;
          a += c.a;
        }
      }
      const i = (y * size + x) * 4;
      pixels[i] = a === 0 ? 0 : Math.round(r / a);
      pixels[i + 1] = a === 0 ? 0 : Math.round(g / a);
      pixels[i + 2] = a === 0 ? 0 : Math.round(b / a);
      pixels[i + 3] = Math.round(a / (n * n));
    }
  }
  return { width: size, height: size, pixels };
}

/** 192x192: white shield with an accent-coloured check on an accent background. */
export function colorIcon(): Image {
  const glyph = (u: number, v: number): { u: number; v: number } => ({ u: (u - 0.2) / 0.6, v: (v - 0.19) / 0.62 });
  return render(192, (u, v) => {
    const p = glyph(u, v);
    if (!insideShield(p.u, p.v)) return ACCENT;
    return insideCheck(p.u, p.v, 0.11) ? ACCENT : WHITE;
  });
}

/** 32x32: white shield outline and white check on transparent. */
export function outlineIcon(): Image {
  const glyph = (u: number, v: number): { u: number; v: number } => ({ u: (u - 0.03) / 0.94, v: (v - 0.03) / 0.94 });
  return render(32, (u, v) => {
    const p = glyph(u, v);
    const ring = insideShield(p.u, p.v) && !insideShield(p.u, p.v, 0.085);
    return ring || insideCheck(p.u, p.v, 0.11) ? WHITE : TRANSPARENT;
  });
}

// ---------------------------------------------------------------- PNG encoding

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData) >>> 0);
  return Buffer.concat([length, typeAndData, crc]);
}

/** Encodes an RGBA image as a PNG (colour type 6, 8-bit, filter 0 on every row). */
export function encodePng(image: Image): Buffer {
  const { width, height, pixels } = image;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  ihdr[10] = 0; // compression
  ihdr[11] = 0; // filter method
  ihdr[12] = 0; // no interlace
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0; // filter type None
    Buffer.from(pixels.buffer, pixels.byteOffset + y * stride, stride).copy(raw, y * (stride + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export const ICON_FILES = { color: 'color.png', outline: 'outline.png' } as const;

function main(): void {
  const dir = join(__dirname, '..');
  writeFileSync(join(dir, ICON_FILES.color), encodePng(colorIcon()));
  writeFileSync(join(dir, ICON_FILES.outline), encodePng(outlineIcon()));
  console.log(`wrote ${ICON_FILES.color} (192x192) and ${ICON_FILES.outline} (32x32) in ${dir}`);
}

if (require.main === module) main();
