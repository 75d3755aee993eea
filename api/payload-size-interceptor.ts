/**
 * Every workflow start, signal and update the api sends goes through core/payload-budget.ts
 * first: an argument Temporal would refuse (over its blob size limit) is refused here, with its
 * size and the limit, and nothing is sent. Callers with a better name for what is too large
 * (the apply) check before this, with their own words.
 */
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { checkPayloadSize } from '../core/payload-budget.js';

function checkArgs(what: string, args: readonly unknown[] | undefined): void {
  (args ?? []).forEach((arg, i) => checkPayloadSize(args!.length > 1 ? `argument ${i + 1} of ${what}` : what, arg));
}

export const payloadSizeInterceptor: WorkflowClientInterceptor = {
  async start(input, next) {
    checkArgs(`the start of workflow ${input.workflowType}`, input.options.args);
    return next(input);
  },
  async startWithDetails(input, next) {
    checkArgs(`the start of workflow ${input.workflowType}`, input.options.args);
    return next(input);
  },
  async startUpdate(input, next) {
    checkArgs(`update ${input.updateName}`, input.args);
    return next(input);
  },
  async startUpdateWithStart(input, next) {
    checkArgs(`the start of workflow ${input.workflowType}`, input.workflowStartOptions.args);
    checkArgs(`update ${input.updateName}`, input.updateArgs);
    return next(input);
  },
  async signal(input, next) {
    checkArgs(`signal ${input.signalName}`, input.args);
    return next(input);
  },
  async signalWithStart(input, next) {
    checkArgs(`the start of workflow ${input.workflowType}`, input.options.args);
    checkArgs(`signal ${input.signalName}`, input.signalArgs);
    return next(input);
  },
};
