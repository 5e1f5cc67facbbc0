/**
 * Prints one plain closing line, "N passed, N failed, N skipped", after jest's own summary, so that
 * tools reading test output (CI) see the counts in a runner-neutral form.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const line = `${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests + results.numTodoTests} skipped`;
    process.stdout.write(`\n${line}\n`);
  }
}
module.exports = SummaryReporter;
