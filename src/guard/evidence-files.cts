// Names of the guard's lighter evidence, beside its snapshots and in the same pattern
// (`<app>-<pid>-<time>-<reason>`): the sampling heap profile and the memory report.
import { isoStamp } from './dump-files.cjs';

export const PROFILE_EXT = '.heapprofile';
export const MEMORY_REPORT_EXT = '.memory.json';

export function profileFileName(app: string, pid: number, date: Date, reason: string): string {
  return `${app}-${pid}-${isoStamp(date)}-${reason}${PROFILE_EXT}`;
}

export function memoryReportFileName(app: string, pid: number, date: Date, reason: string): string {
  return `${app}-${pid}-${isoStamp(date)}-${reason}${MEMORY_REPORT_EXT}`;
}

const EVIDENCE = /^(.+)-(\d+)-(\d{8}T\d{6}\.\d{3}Z)-([a-z0-9-]+)(\.heapprofile|\.memory\.json)$/;

export interface EvidenceName {
  app: string;
  pid: number;
  stamp: string;
  reason: string;
  kind: 'profile' | 'memory-report';
}

export function parseEvidenceName(name: string): EvidenceName | null {
  const m = EVIDENCE.exec(name);
  if (!m) return null;
  return {
    app: m[1],
    pid: Number(m[2]),
    stamp: m[3],
    reason: m[4],
    kind: m[5] === PROFILE_EXT ? 'profile' : 'memory-report',
  };
}
