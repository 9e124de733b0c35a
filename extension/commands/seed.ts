/** Reproduce Seed Results: the built-in seed scenarios, simulated beside the cover letter's numbers. */
import type { Ctx } from "../ctx";
import { seedReportPayload } from "../seed";

export const reproduceSeed = (ctx: Ctx) => async () => {
  const seconds = ctx.config("pvsched.seed.durationSeconds");
  ctx.panel.show(true);
  const payload = await seedReportPayload((title, tasks) => ctx.runner.run(title, tasks), seconds > 0 ? seconds : undefined, ctx.log);
  if (payload) ctx.publish(payload);
  return payload;
};
