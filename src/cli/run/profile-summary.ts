// The top live allocation sites of a heap profile the guard left, for `heapwatch run`'s post-mortem.
import { readFileSync, statSync } from 'node:fs';
import { type AllocationSite, type SamplingProfile, topAllocationSites } from '../../guard/heap-sampler.cjs';

/** Profiles the guard writes are a few hundred KB; anything past this is not one of ours. */
const MAX_PROFILE_BYTES = 64 * 1024 * 1024;

export function profileTopSites(path: string, count: number): AllocationSite[] {
  if (statSync(path).size > MAX_PROFILE_BYTES) throw new Error(`${path}: larger than a heap profile of the guard`);
  const profile = JSON.parse(readFileSync(path, 'utf8')) as SamplingProfile;
  if (!profile?.head?.callFrame) throw new Error(`${path}: not a heap profile (no head node)`);
  return topAllocationSites(profile, count);
}
