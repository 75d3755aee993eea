/**
 * A project's whole state read straight from its workflow (the figures' state size), asked again
 * while a loaded worker lets the query time out.
 */
import { Client, Connection } from '@temporalio/client';
import type { ProjectState } from '../../core/project/state.js';
import { projectStateQuery, projectWorkflowId } from '../../workflows/definitions.js';
import { eventually } from '../../test/support/poll.js';

export async function projectStateOf(temporalPort: number, project: string): Promise<ProjectState> {
  const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
  try {
    const handle = new Client({ connection }).workflow.getHandle(projectWorkflowId(project));
    return await eventually(() => handle.query(projectStateQuery), `the state of project ${project}`, 120_000);
  } finally {
    await connection.close();
  }
}
