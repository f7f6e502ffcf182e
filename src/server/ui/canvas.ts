/** Paints a frame's primitives (world units) onto a canvas, centred on `bounds` at `scale` pixels per metre. */
import type { Bounds, Primitive } from './draw.js';

/** `marks`: draw the fixed reference lines (off for gridworld boards, whose cells show motion already). */
export function paint(canvas: HTMLCanvasElement, prims: Primitive[], bounds: Bounds, scale: number, view: 'side' | 'top' | null, marks = true): void {
  const ctx = canvas.getContext('2d')!;
  const { width: W, height: H } = canvas;
  ctx.clearRect(0, 0, W, H);
  const cu = (bounds.minU + bounds.maxU) / 2;
  const cv = (bounds.minV + bounds.maxV) / 2;
  const x = (u: number) => W / 2 + (u - cu) * scale;
  const y = (v: number) => H / 2 - (v - cv) * scale;
  // Reference marks every 0.5 m, fixed in the world, so motion over the segment is visible.
  if (marks) {
    ctx.strokeStyle = '#e3e3e3';
    ctx.lineWidth = 1;
    const step = 0.5;
    for (let u = Math.floor((cu - W / 2 / scale) / step) * step; u < cu + W / 2 / scale; u += step) {
      ctx.beginPath();
      ctx.moveTo(x(u), 0);
      ctx.lineTo(x(u), H);
      ctx.stroke();
    }
    if (view === 'top') {
      for (let v = Math.floor((cv - H / 2 / scale) / step) * step; v < cv + H / 2 / scale; v += step) {
        ctx.beginPath();
        ctx.moveTo(0, y(v));
        ctx.lineTo(W, y(v));
        ctx.stroke();
      }
    }
  }
  for (const p of prims) {
    if (p.kind === 'ground') {
      ctx.fillStyle = p.color;
      ctx.fillRect(0, y(p.v), W, H - y(p.v));
    } else if (p.kind === 'segment') {
      ctx.strokeStyle = p.color;
      ctx.lineWidth = Math.max(1, p.width * scale);
      ctx.lineCap = p.round ? 'round' : 'butt';
      ctx.beginPath();
      ctx.moveTo(x(p.a[0]), y(p.a[1]));
      ctx.lineTo(x(p.b[0]), y(p.b[1]));
      ctx.stroke();
    } else if (p.kind === 'arrow') {
      const [x0, y0, x1, y1] = [x(p.from[0]), y(p.from[1]), x(p.to[0]), y(p.to[1])];
      const len = Math.hypot(x1 - x0, y1 - y0);
      const [ux, uy] = [(x1 - x0) / len, (y1 - y0) / len];
      const head = Math.min(len * 0.5, 12);
      ctx.strokeStyle = p.color;
      ctx.fillStyle = p.color;
      ctx.lineWidth = Math.max(1.5, len / 12);
      ctx.lineCap = 'round';
      ctx.beginPath();
      ctx.moveTo(x0, y0);
      ctx.lineTo(x1 - ux * head, y1 - uy * head);
      ctx.stroke();
      ctx.beginPath();
      ctx.moveTo(x1, y1);
      ctx.lineTo(x1 - ux * head - uy * head * 0.6, y1 - uy * head + ux * head * 0.6);
      ctx.lineTo(x1 - ux * head + uy * head * 0.6, y1 - uy * head - ux * head * 0.6);
      ctx.closePath();
      ctx.fill();
    } else if (p.kind === 'circle') {
      ctx.fillStyle = p.color;
      ctx.beginPath();
      ctx.arc(x(p.c[0]), y(p.c[1]), Math.max(1, p.r * scale), 0, 2 * Math.PI);
      ctx.fill();
    } else {
      ctx.fillStyle = p.color;
      ctx.beginPath();
      p.points.forEach(([u, v], i) => (i === 0 ? ctx.moveTo(x(u), y(v)) : ctx.lineTo(x(u), y(v))));
      ctx.closePath();
      ctx.fill();
    }
  }
}
