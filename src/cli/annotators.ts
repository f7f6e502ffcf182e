/** `overseer annotators add|list`: people who label, each with a token. */
import type { CliIO } from './io.js';
import { withProject } from './project.js';

export interface AnnotatorsFlags {
  project: string;
  admin: boolean;
  url?: string;
}

export function annotatorsAddCommand(name: string, flags: AnnotatorsFlags, io: CliIO): number {
  return withProject(flags.project, false, (project) => {
    const { annotator, token } = project.addAnnotator(name, flags.admin ? 'admin' : 'annotator');
    const base = flags.url ?? 'http://127.0.0.1:8080';
    io.stdout(`${annotator.role} ${annotator.name} added; token (shown once): ${token}\nlabeling link: ${base}/?token=${token}\n`);
    return 0;
  });
}

export function annotatorsListCommand(flags: AnnotatorsFlags, io: CliIO): number {
  return withProject(flags.project, true, (project) => {
    for (const a of project.listAnnotators()) io.stdout(`${a.name}\t${a.role}\t${a.createdAt}\n`);
    return 0;
  });
}
