/**
 * Memory of one sandbox: the RSS and PSS of its whole process tree (bwrap, agent, kernel bridge,
 * kernel), read from /proc on the host. RSS counts shared pages (node, python libraries) once per
 * process; PSS shares them out and is the fairer cost of one more sandbox.
 */
import { readFileSync, readdirSync } from 'node:fs';

function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields resume after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[1]);
  } catch {
    return null;
  }
}

export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const ppid = parentOf(pid);
    if (ppid === null) continue;
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

function kb(text: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return m?.[1] ? Number(m[1]) : 0;
}

export interface TreeMemory {
  processes: number;
  rssMb: number;
  pssMb: number;
  commands: string[];
}

export function treeMemory(root: number): TreeMemory {
  let rss = 0;
  let pss = 0;
  const commands: string[] = [];
  const pids = processTree(root);
  for (const pid of pids) {
    try {
      rss += kb(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmRSS');
      pss += kb(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss');
      commands.push(readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
    } catch {
      // the process exited while we looked
    }
  }
  return { processes: pids.length, rssMb: rss / 1024, pssMb: pss / 1024, commands };
}
