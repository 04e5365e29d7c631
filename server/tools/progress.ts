// Progress on stderr: a redrawn bar when stderr is a terminal, otherwise one
// plain line every ~10 % (so CI logs and pipes stay readable).

export interface ProgressStream { isTTY?: boolean; columns?: number; write(chunk: string): unknown }

export interface Progress {
  /** Reports `done` out of `total` (any unit). */
  update(done: number, total: number): void;
  /** Completes the bar (or the last line). */
  finish(): void;
}

export function createProgress(label: string, stream: ProgressStream = process.stderr, opts: { unit?: (v: number) => string } = {}): Progress {
  const tty = stream.isTTY === true;
  const unit = opts.unit ?? ((v: number) => String(Math.round(v)));
  let lastDecile = -1;
  let lastDrawn = -1;
  let lastDrawAt = 0;
  let finished = false;
  let last: { done: number; total: number } = { done: 0, total: 0 };

  const draw = (done: number, total: number) => {
    const frac = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
    const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - 30));
    const filled = Math.round(frac * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    stream.write(`\r${label} ${bar} ${(frac * 100).toFixed(0).padStart(3)}% ${unit(done)}/${unit(total)}\x1b[K`);
  };

  return {
    update(done, total) {
      if (finished) return;
      last = { done, total };
      const frac = total > 0 ? Math.min(1, done / total) : 1;
      if (tty) {
        const permille = Math.floor(frac * 1000);
        const now = Date.now();
        if (permille !== lastDrawn && (now - lastDrawAt >= 50 || permille === 1000)) {
          lastDrawn = permille;
          lastDrawAt = now;
          draw(done, total);
        }
        return;
      }
      const decile = Math.floor(frac * 10);
      if (decile > lastDecile) {
        lastDecile = decile;
        stream.write(`${label}: ${decile * 10}% (${unit(done)}/${unit(total)})\n`);
      }
    },
    finish() {
      if (finished) return;
      if (tty) {
        draw(last.total, last.total);
        stream.write('\n');
      } else if (lastDecile < 10) {
        stream.write(`${label}: 100% (${unit(last.total)}/${unit(last.total)})\n`);
      }
      finished = true;
    },
  };
}
