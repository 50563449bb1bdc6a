#!/usr/bin/env node
/**
 * The `matrix-fluent` executable: `npx matrix-fluent appservice register …`.
 * @module
 */
import { runCli } from './run.js';

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
});
