// The frame of every HTTP function: run it, and turn whatever it throws into one JSON error answer.
import type { HttpFunction, Request, Response } from '@google-cloud/functions-framework';
import { answerFor, logFailure, sendError } from './respond.js';

export function jsonHandler(name: string, run: (req: Request, res: Response) => Promise<void>): HttpFunction {
  return async (req, res) => {
    try {
      await run(req, res);
    } catch (e) {
      const answer = answerFor(e);
      logFailure(name, e, answer, { method: req.method });
      sendError(res, answer);
    }
  };
}
