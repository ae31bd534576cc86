// Seeded mutations of runbook text, shared by the fuzz test and the PowerShell fast path's differential test.

/** mulberry32: a small seeded generator, so failures reproduce. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pieces that hit the parser's and the checks' edges: brackets, quotes, arrows, odd whitespace, wildcards. */
export const PIECES = ['{', '}', '(', ')', '"', "'", '`', '|', '-', '->', ' ', '\t', '\u00a0', '\r', '\n', '\r\n', '[z-a]', '*', '?', '$', '$Server', 'run(', ' otherwise', 'when ', 'step x = ', '.', '\\', '#', '<ServerName>', '\uFEFF', 'é', '服务器', '-like "[', 'procedure q "Q"\n'];

export function mutate(text: string, next: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  let result = text;
  const rounds = 1 + Math.floor(next() * 4);
  for (let r = 0; r < rounds; r++) {
    const lines = result.split('\n');
    const line = Math.floor(next() * lines.length);
    switch (Math.floor(next() * 7)) {
      case 0: {
        const at = Math.floor(next() * (result.length + 1));
        result = result.slice(0, at) + pick(PIECES) + result.slice(at);
        break;
      }
      case 1: {
        const at = Math.floor(next() * result.length);
        result = result.slice(0, at) + result.slice(at + 1 + Math.floor(next() * 20));
        break;
      }
      case 2:
        lines.splice(line, 1);
        result = lines.join('\n');
        break;
      case 3:
        lines.splice(line, 0, lines[Math.floor(next() * lines.length)] ?? '');
        result = lines.join('\n');
        break;
      case 4:
        lines[line] = ' '.repeat(Math.floor(next() * 9)) + (lines[line] ?? '').trimStart();
        result = lines.join('\n');
        break;
      case 5:
        lines[line] = (lines[line] ?? '') + ' '.repeat(Math.floor(next() * 3)) + pick(PIECES) + pick(PIECES);
        result = lines.join('\n');
        break;
      default:
        // Lone CR or CRLF line endings somewhere.
        result = result.replace(/\n/g, (m) => (next() < 0.05 ? pick(['\r', '\r\n']) : m));
    }
  }
  return result;
}
