// The per-tenant Cloud Scheduler job that publishes the tenant's tick. Each connection keeps its own
// due time, so a tick may come more often than a connection's interval at no harm (a tick with
// nothing due costs one query); it must never come less often.
import { CloudSchedulerClient } from '@google-cloud/scheduler';
import { sha256 } from '../../shared/secrets.js';
import { tickSchedule } from '../../shared/tick.js';
import { TOPICS, tickJobId, topicPath } from './names.js';

export interface TickJob {
  /** projects/P/locations/R/jobs/ID */
  name: string;
  parent: string;
  schedule: string;
  timeZone: string;
  description: string;
  topicName: string;
  /** The message body: exactly {"tenantId":"<id>"}. */
  data: string;
}

export interface TickScheduler {
  upsert(job: TickJob): Promise<'created' | 'updated'>;
  remove(name: string): Promise<'deleted' | 'absent'>;
}

export { tickSchedule };

export const tickJobName = (project: string, region: string, tenantId: string): string =>
  `projects/${project}/locations/${region}/jobs/${tickJobId(tenantId, sha256)}`;

export function tickJob(input: {
  project: string;
  region: string;
  tenantId: string;
  intervalMinutes: number;
}): TickJob {
  const parent = `projects/${input.project}/locations/${input.region}`;
  return {
    name: tickJobName(input.project, input.region, input.tenantId),
    parent,
    schedule: tickSchedule(input.intervalMinutes).cron,
    timeZone: 'Etc/UTC',
    description: `Contact sync tick for tenant ${input.tenantId}`,
    topicName: topicPath(input.project, TOPICS.tick),
    data: JSON.stringify({ tenantId: input.tenantId }),
  };
}

const ALREADY_EXISTS = 6;
const NOT_FOUND = 5;
const code = (e: unknown) => (e as { code?: number }).code;

export function cloudScheduler(client = new CloudSchedulerClient()): TickScheduler {
  return {
    async upsert(job) {
      const body = {
        name: job.name,
        description: job.description,
        schedule: job.schedule,
        timeZone: job.timeZone,
        pubsubTarget: { topicName: job.topicName, data: Buffer.from(job.data) },
        // A missed tick is not retried: the next one comes within one period anyway.
        retryConfig: { retryCount: 0 },
      };
      try {
        await client.createJob({ parent: job.parent, job: body });
        return 'created';
      } catch (e) {
        if (code(e) !== ALREADY_EXISTS) throw e;
        await client.updateJob({
          job: body,
          updateMask: { paths: ['description', 'schedule', 'time_zone', 'pubsub_target', 'retry_config'] },
        });
        return 'updated';
      }
    },
    async remove(name) {
      try {
        await client.deleteJob({ name });
        return 'deleted';
      } catch (e) {
        if (code(e) === NOT_FOUND) return 'absent';
        throw e;
      }
    },
  };
}
