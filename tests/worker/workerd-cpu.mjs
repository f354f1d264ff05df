// CPU time of the workerd processes this Node process started (miniflare's local workerd reports no CPU time to
// tail workers): used by the worker's CPU test and by the workerd benchmarks.
import { readdirSync, readFileSync } from 'node:fs';

/** workerd processes that are children of this process. */
export function workerdPids() {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && comm.startsWith('workerd')) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** CPU time of every thread of `pid`, in ns (/proc/PID/task/TID/schedstat: on-CPU time first). */
export function processCpuNs(pid) {
  let sum = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      sum += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // The thread ended while we looked.
    }
  }
  return sum;
}
