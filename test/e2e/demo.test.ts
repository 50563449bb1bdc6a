/**
 * `examples/demo.ts` in its "your own server" mode, pointed at the e2e Synapse: it must
 * finish cleanly, print no token, and leave nothing behind but what it says. Then once in its
 * local mode, which starts a Synapse of its own that pushes to the bridge's receiver.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../harness/synapse.js';
import { newUser, synapse } from './helpers.js';

function runDemo(env: Record<string, string | undefined>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['examples/demo.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('examples/demo.ts against an existing server', () => {
  it('talks to itself in a new room, round-trips a PNG, then leaves the room and exits 0', async () => {
    const user = await newUser();
    const { code, stdout, stderr } = await runDemo({ MATRIX_BASE_URL: synapse().baseUrl, MATRIX_ACCESS_TOKEN: user.accessToken });

    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain(user.userId);
    expect(stdout).toContain('Time to set a topic, then.');
    expect(stdout).toContain('topic  Trying out matrix-fluent');
    expect(stdout).toMatch(/identical\s+yes/);
    expect(stdout).toContain('Skipping the bridge (examples/bridge.ts)');
    expect(stdout + stderr).not.toContain(user.accessToken);
    expect((await user.client.api.joined_rooms.get()).joined_rooms).toEqual([]);
  });

  it('exits 1 with a readable message, and without the token, when the token is bogus', async () => {
    const bogus = 'syt_demo_bogus_token_SECRET';
    const { code, stdout, stderr } = await runDemo({ MATRIX_BASE_URL: synapse().baseUrl, MATRIX_ACCESS_TOKEN: bogus });

    expect(code).toBe(1);
    expect(stderr).toContain('The demo failed: [401 / M_UNKNOWN_TOKEN]');
    expect(stdout + stderr).not.toContain(bogus);
  });
});

describe('examples/demo.ts on a throwaway local Synapse', () => {
  it('ends with the bridge: Synapse pushes to the appservice, and a ghost answers with the original timestamp', async () => {
    const { code, stdout, stderr } = await runDemo({ MATRIX_BASE_URL: undefined, MATRIX_ACCESS_TOKEN: undefined });

    expect({ code, stderr: stderr.replace(/^\[synapse-harness\].*\n/gm, '') }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain('Echo   Hello, echo bot!');
    expect(stdout).toMatch(/Synapse answered its ping in \d+ ms/);
    expect(stdout).toMatch(/@fluent_echo_alice:localhost {2}\(from the other side\) Hello, bridge!/);
    expect(stdout).toContain("the answer carries the original's timestamp: yes");
    expect(stdout).toContain('Synapse stopped and its data removed');
  }, 150_000);
});
