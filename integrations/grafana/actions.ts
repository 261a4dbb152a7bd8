/** Grafana actions: mark a moment (or a region) on dashboards with an annotation. */
import { z } from 'zod'
import type { ActionDefinition } from '../../core/actions/index.ts'
import { connectionRef, type ConnectorActionDeps } from '../action-deps.ts'
import { createGrafanaClient } from './client.ts'

export function grafanaActions(deps: ConnectorActionDeps): ActionDefinition[] {
  return [
    {
      id: 'grafana.annotation.create@v1',
      source: 'integrations/grafana',
      description: 'Adds a Grafana annotation: on a dashboard (and panel) when given, else an organisation annotation found by its tags',
      input: z.object({
        connection: connectionRef,
        text: z.string().min(1, 'must not be empty').max(10_000),
        dashboard_uid: z.string().min(1).optional(),
        panel_id: z.number().int().nonnegative().optional(),
        time: z.number().int().nonnegative().optional(),
        time_end: z.number().int().nonnegative().optional(),
        tags: z.array(z.string().min(1)).max(50).optional(),
      }),
      outputs: ['id'],
      sideEffect: true,
      async run(input: { connection: string; text: string; dashboard_uid?: string; panel_id?: number; time?: number; time_end?: number; tags?: string[] }, ctx) {
        const client = createGrafanaClient(deps.outbound, await deps.connections.forAction(ctx.session, 'grafana', input.connection))
        const created = await client.createAnnotation({
          text: input.text,
          ...(input.dashboard_uid ? { dashboardUID: input.dashboard_uid } : {}),
          ...(input.panel_id !== undefined ? { panelId: input.panel_id } : {}),
          ...(input.time !== undefined ? { time: input.time } : {}),
          ...(input.time_end !== undefined ? { timeEnd: input.time_end } : {}),
          ...(input.tags ? { tags: input.tags } : {}),
        })
        return { id: created.id }
      },
    },
  ]
}
