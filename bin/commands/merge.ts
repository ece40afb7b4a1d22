/*
 * `bulkhead merge a.db b.db ... -o all.db`: merges the databases of one campaign (its shards, or
 * runs on several machines) into a new database, as a single run would have written it.
 * Exit status: 0 merged; 2 bad input (a missing or foreign database, another spec, a conflict,
 * an output that already holds data).
 */
import type { Argv, CommandModule } from "yargs";
import { mergeStores, type MergeSummary } from "../../campaigns/merge.js";
import { EXIT_USAGE, ExitError } from "../errors.js";

interface MergeArgs {
  inputs: string[];
  output: string;
}

/** The one-line report of a merge. */
export function formatMerge(s: MergeSummary, output: string): string {
  const missing = s.planned - s.experiments;
  const dups = s.duplicates ? `; ${s.duplicates} were in more than one input (identical)` : "";
  const rest = missing > 0 ? `; ${missing} still to run (run the missing shards, then merge again)` : "";
  return `merged ${s.inputs} database${s.inputs === 1 ? "" : "s"} into ${output}: ${s.experiments} of ${s.planned} planned experiments${dups}${rest}`;
}

export const mergeCommand: CommandModule<object, MergeArgs> = {
  command: "merge <inputs..>",
  describe: "Merge the databases of one campaign (e.g. its shards) into a new one",
  builder: (y: Argv<object>) =>
    y
      .positional("inputs", { type: "string", array: true, demandOption: true, describe: "campaign databases" })
      .option("output", { alias: "o", type: "string", demandOption: true, describe: "the merged database (a new file)" })
      .epilogue("Exit status: 0 merged; 2 bad input.") as unknown as Argv<MergeArgs>,
  handler: (argv) => {
    const output = String(argv.output);
    if (Array.isArray(argv.output)) throw new ExitError(EXIT_USAGE, "-o given more than once");
    if (output === "") throw new ExitError(EXIT_USAGE, "-o must name a file");
    const m = mergeStores(argv.inputs.map(String), output);
    if (!m.ok) throw new ExitError(EXIT_USAGE, m.error);
    process.stdout.write(formatMerge(m.summary, output) + "\n");
  },
};
