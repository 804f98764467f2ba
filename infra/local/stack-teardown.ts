// Everything the stack starts registers how to stop it; stopping runs those in reverse order, each
// bounded, and goes on past a failure so that nothing is left behind because something else hung.
export class Teardown {
  private readonly steps: { what: string; stop: () => Promise<void> | void }[] = [];
  private done: Promise<void> | null = null;

  add(what: string, stop: () => Promise<void> | void): void {
    this.steps.push({ what, stop });
  }

  run(say: (line: string) => void, boundMs = 30_000): Promise<void> {
    this.done ??= (async () => {
      for (const { what, stop } of this.steps.reverse()) {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            Promise.resolve().then(stop),
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new Error(`did not stop within ${boundMs / 1000} s`)), boundMs);
            }),
          ]);
        } catch (e) {
          say(`stopping ${what}: ${e instanceof Error ? e.message : String(e)}`);
        } finally {
          clearTimeout(timer);
        }
      }
    })();
    return this.done;
  }
}
