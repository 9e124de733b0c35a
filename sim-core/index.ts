/**
 * sim-core's public API: a validated scenario in, results (and optionally a timeline) out.
 * No runtime dependencies, no Node or VS Code imports: it runs in the extension host, in a
 * worker, in a webview and in a browser.
 *
 *   import { simulate, resolveModes } from "../sim-core";
 *   for (const mode of resolveModes(scenario)) results.push(simulate(scenario, mode, opts));
 */
export * from "./scenario";
export * from "./results";
export { MECHANISMS, MECHANISM_IDS, mechanismInfo, type MechanismInfo } from "./pvsched/registry";
export { simulate, resolveModes, modeLabel, scenarioDurationNs, ScenarioRuleError, type SimOptions } from "./simulation";
export {
  LIMITS,
  FIELD_RULES,
  checkScenario,
  checkLimits,
  ruleProblem,
  type FieldRule,
  type RuleType,
  type ScenarioIssue,
  type LimitViolation,
} from "./limits";
export { cyclictestOptions, readCyclictestCmdline, type CyclictestCmdline, type CmdlineSpan } from "./workloads/cyclictest";
export { CALIBRATION, type CalibrationEntry } from "./params";
