#!/usr/bin/env node
import { runCli } from './program.js';

// A run started by a queue worker ends with its worker: a worker killed outright (SIGKILL) cannot
// stop its child, and a run left going would race the retry of its job in the same directory.
if (process.env.OVERSEER_EXIT_WITH_PARENT === '1') {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(137);
  }, 500).unref();
}

process.exitCode = await runCli(process.argv.slice(2));
