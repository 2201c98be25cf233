/** Reads Fluent Bit classic configuration files back: what each `cloudwatch_logs` output writes where. */

/** The `cloudwatch_logs` outputs of Fluent Bit classic configuration files, as key/value maps. */
export function cloudwatchLogsOutputs(files: Record<string, string>): Array<Record<string, string>> {
  const outputs: Array<Record<string, string>> = [];
  for (const text of Object.values(files)) {
    for (const section of text.split(/^\[/m).slice(1)) {
      const [header, ...lines] = section.split('\n');
      if (header.trim() !== 'OUTPUT]') continue;
      const entries = Object.fromEntries(lines.map((l) => l.trim()).filter(Boolean).map((l) => [l.split(/\s+/)[0], l.replace(/^\S+\s+/, '')]));
      if (entries.Name === 'cloudwatch_logs') outputs.push(entries);
    }
  }
  return outputs;
}
