// How often a tenant's scheduler ticks for a given interval: the one rule the tenant CLI schedules by
// and the settings endpoint checks connection intervals against.
/**
 * unix-cron cannot say "every 90 minutes"; the tick period is the longest cron-expressible period
 * not above the interval: a divisor of an hour, or a whole number of hours dividing a day.
 */
export function tickSchedule(intervalMinutes: number): { cron: string; periodMinutes: number } {
  const minutes = [60, 30, 20, 15, 12, 10, 6, 5].find((d) => d <= intervalMinutes);
  const hours = [24, 12, 8, 6, 4, 3, 2].find((h) => h * 60 <= intervalMinutes);
  if (hours) return { cron: hours === 24 ? '0 0 * * *' : `0 */${hours} * * *`, periodMinutes: hours * 60 };
  if (minutes === 60) return { cron: '0 * * * *', periodMinutes: 60 };
  if (minutes) return { cron: `*/${minutes} * * * *`, periodMinutes: minutes };
  throw new Error(`interval ${intervalMinutes} is below the 5-minute minimum`);
}
