import { emptyIntegration, integrationsByUser, manualKey, MAX_APPS_PER_USER, RECENT_REQUEST_DAYS, type Integration, type PrincipalUse } from '../../../src/domain/integrations';

const AT = new Date('2026-11-21T12:00:00.000Z');
const DAY = 24 * 3600_000;
const ago = (days: number) => new Date(AT.getTime() - days * DAY);

const use = (objectId: string, nonMfa: number, lastAt: Date, requests = nonMfa + 1): PrincipalUse => ({ objectId, upn: `${objectId}@example.com`, lastAt, requests, nonMfa });
const app = (id: string, name: string, principals: PrincipalUse[]): Integration => ({ ...emptyIntegration(id, name, false, id), principals });

describe('which apps called without MFA as a user, with a fixed clock', () => {
  it('when an app called without MFA as a user within the window, then it is named for that user with its id and count', () => {
    const byUser = integrationsByUser([app('a-1', 'Billing Export Script', [use('u-1', 12, ago(1))])], AT);

    expect(byUser.get('u-1')).toEqual([{ name: 'Billing Export Script', applicationId: 'a-1', nonMfa: 12, lastAt: ago(1) }]);
  });

  it('when an app called as the user only with MFA, then it is not named', () => {
    const byUser = integrationsByUser([app('a-1', 'Portal', [use('u-1', 0, ago(1), 40)])], AT);

    expect(byUser.get('u-1')).toBeUndefined();
  });

  it(`when an app last called as the user more than ${RECENT_REQUEST_DAYS} days ago, then it is not named; at the edge it still is`, () => {
    const byUser = integrationsByUser([app('old', 'Old Script', [use('u-1', 3, ago(RECENT_REQUEST_DAYS + 1))]), app('edge', 'Edge Tool', [use('u-1', 1, ago(RECENT_REQUEST_DAYS))])], AT);

    expect(byUser.get('u-1')?.map((i) => i.name)).toEqual(['Edge Tool']);
  });

  it('when Partner Center writes the object id in capitals, then the lookup by the lower-case id finds it', () => {
    const byUser = integrationsByUser([app('a-1', 'Script', [{ ...use('u-1', 2, ago(0)), objectId: 'U-1' }])], AT);

    expect(byUser.get('u-1')).toHaveLength(1);
  });

  it(`when several apps call as one user, then the busiest without MFA come first, at most ${MAX_APPS_PER_USER}`, () => {
    const apps = [
      app('a', 'Few', [use('u-1', 1, ago(1))]),
      app('b', 'Most', [use('u-1', 50, ago(2))]),
      app('c', 'Middle, newer', [use('u-1', 5, ago(0))]),
      app('d', 'Middle, older', [use('u-1', 5, ago(3))]),
      app('e', 'Other user', [use('u-2', 99, ago(0))]),
    ];

    const byUser = integrationsByUser(apps, AT);

    expect(byUser.get('u-1')?.map((i) => i.name)).toEqual(['Most', 'Middle, newer', 'Middle, older']);
    expect(byUser.get('u-2')?.map((i) => i.name)).toEqual(['Other user']);
  });

  it('when an admin added the integration by hand, then it is named without an app id', () => {
    const manual: Integration = { ...emptyIntegration(manualKey('Quarterly script'), 'Quarterly script', true), principals: [use('u-1', 2, ago(1))] };

    expect(integrationsByUser([manual], AT).get('u-1')).toEqual([{ name: 'Quarterly script', nonMfa: 2, lastAt: ago(1) }]);
  });
});
