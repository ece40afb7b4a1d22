/*
 * A campaign that cannot run because of its input (a fault model with no site in the driver,
 * a build whose images changed since the database was started, a configuration that does not
 * boot): an expected failure with a message for the user, not a bug.
 */
export class CampaignError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CampaignError";
  }
}
