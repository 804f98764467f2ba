// Runs gcloud with an argument vector (execFile, no shell): a value from the command line can never be
// read as shell syntax. Output is passed through as it comes, because deploys take minutes.
import { execFile } from 'node:child_process';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CommandRunner {
  run(args: readonly string[]): Promise<CommandResult>;
}

const TIMEOUT_MS = 30 * 60_000; // a deploy builds a container; anything longer is stuck

export function gcloudRunner(
  options: { echo?: (chunk: string) => void; binary?: string } = {},
): CommandRunner {
  return {
    run: (args) =>
      new Promise((resolve) => {
        const child = execFile(
          options.binary ?? 'gcloud',
          [...args],
          { maxBuffer: 64 * 1024 * 1024, timeout: TIMEOUT_MS, encoding: 'utf8' },
          (error, stdout, stderr) => {
            const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
            resolve({ code, stdout, stderr: stderr || (error && !stderr ? error.message : '') });
          },
        );
        if (options.echo) child.stderr?.on('data', (chunk: string) => options.echo!(chunk));
      }),
  };
}

export const alreadyExists = (result: CommandResult): boolean =>
  result.code !== 0 && /ALREADY_EXISTS|already exists/i.test(result.stderr);
