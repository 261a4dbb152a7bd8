/** Durable jobs: delayed and retried work and cron schedules, stored in the database and safe across several nodes. */
export { createJobService, type JobService, type JobServiceOptions, type EnqueueInput, type ScheduleInput, type JobWriteOptions } from './service.ts'
export { PermanentJobError, type JobType, type JobContext, type BatchJobContext, type Backoff } from './registry.ts'
export { JOB_STATUSES, type Job, type JobSchedule, type JobStatus } from './store.ts'
export { isTimeZone } from './cron.ts'
