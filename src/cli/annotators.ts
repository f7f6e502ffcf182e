/** `overseer annotators add|list|revoke`: people who label, each with a token. */
import { UsageError, type CliIO } from './io.js';
import { projectLocation, withProject, type ProjectFlags } from './project.js';

export interface AnnotatorsFlags extends ProjectFlags {
  admin: boolean;
  url?: string;
  /** Days until the new token stops working; default never. */
  expiresIn?: number;
}

const DAY_MS = 86_400_000;

export function annotatorsAddCommand(name: string, flags: AnnotatorsFlags, io: CliIO): number {
  if (flags.expiresIn !== undefined && !(Number.isFinite(flags.expiresIn) && flags.expiresIn > 0)) throw new UsageError(`--expires-in: expected a positive number of days (got ${flags.expiresIn})`);
  // A mistyped --project must not quietly start a new project: annotators join an existing one.
  return withProject(projectLocation(flags), true, (project) => {
    const expiresAt = flags.expiresIn === undefined ? null : new Date(Date.now() + flags.expiresIn * DAY_MS).toISOString();
    const { annotator, token } = project.addAnnotator(name, flags.admin ? 'admin' : 'annotator', { expiresAt });
    const base = flags.url ?? 'http://127.0.0.1:8080';
    const expiry = annotator.expiresAt ? `; it expires at ${annotator.expiresAt}` : '';
    io.stdout(`${annotator.role} ${annotator.name} added; token (shown once${expiry}): ${token}\nlabeling link: ${base}/?token=${token}\n`);
    return 0;
  });
}

export function annotatorsListCommand(flags: AnnotatorsFlags, io: CliIO): number {
  return withProject(projectLocation(flags), true, (project) => {
    const now = Date.now();
    for (const a of project.listAnnotators()) {
      const state = a.revokedAt ? `revoked ${a.revokedAt}` : a.expiresAt ? `${Date.parse(a.expiresAt) <= now ? 'expired' : 'expires'} ${a.expiresAt}` : 'active';
      io.stdout(`${a.name}\t${a.role}\t${a.createdAt}\t${state}\n`);
    }
    return 0;
  });
}

/** Revokes an annotator's token at once: the server answers it with 401 from the next request on. Its labels stay. */
export function annotatorsRevokeCommand(name: string, flags: AnnotatorsFlags, io: CliIO): number {
  return withProject(projectLocation(flags), true, (project) => {
    const a = project.revokeAnnotator(name);
    io.stdout(`${a.role} ${a.name}: token revoked (${a.revokedAt}); their labels are kept\n`);
    return 0;
  });
}
