import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const README = fileURLToPath(new URL('../../../README.md', import.meta.url));

/** A table as markdown, ready to paste (prettier aligns it). */
export function markdown(rows: string[][]): string {
  return rows.map((r, i) => `| ${r.join(' | ')} |${i === 0 ? `\n|${r.map(() => ' --- |').join('')}` : ''}`).join('\n');
}

/**
 * The cells of the README table whose header row is `header` in section `section`, or [] when
 * there is none. Cells are trimmed; the |---| row is left out.
 */
export function readmeTable(section: string, header: readonly string[]): string[][] {
  const text = readFileSync(README, 'utf8');
  const from = text.indexOf(`\n## ${section}\n`);
  if (from < 0) return [];
  const next = text.indexOf('\n## ', from + 1);
  const lines = text.slice(from, next < 0 ? undefined : next).split('\n');
  const cells = (line: string) =>
    line
      .trim()
      .replace(/^\||\|$/g, '')
      .split('|')
      .map((c) => c.trim());
  const start = lines.findIndex((l) => l.startsWith('|') && cells(l).join('|') === header.join('|'));
  if (start < 0) return [];
  const rows: string[][] = [];
  for (const line of lines.slice(start)) {
    if (!line.startsWith('|')) break;
    if (!/^\|[\s|:-]+\|$/.test(line.trim())) rows.push(cells(line));
  }
  return rows;
}
