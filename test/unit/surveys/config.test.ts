import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.js';

describe('survey configuration', () => {
  it('has defaults: public base URL = the listen address, 20 submissions a minute, 200 MB imports, 365 days of demographics', () => {
    expect(loadConfig({})).toMatchObject({
      publicBaseUrl: 'http://127.0.0.1:3000',
      publicBaseUrlSet: false,
      surveyRateLimitPerMinute: 20,
      surveyImportMaxBytes: 200 * 1024 * 1024,
      surveyPersonalDataRetentionDays: 365,
    });
  });

  it('drops a trailing slash from PUBLIC_BASE_URL and refuses values that are not URLs or positive', () => {
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://cchc.example.gov.vn/' }).publicBaseUrl).toBe('https://cchc.example.gov.vn');
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://cchc.example.gov.vn/' }).publicBaseUrlSet).toBe(true);
    // Unset: follows HOST and PORT (a wildcard listen address is shown as localhost).
    expect(loadConfig({ PORT: '8080' }).publicBaseUrl).toBe('http://127.0.0.1:8080');
    expect(loadConfig({ HOST: '0.0.0.0', PORT: '8081' }).publicBaseUrl).toBe('http://localhost:8081');
    expect(loadConfig({ HOST: '::1', PORT: '8082' }).publicBaseUrl).toBe('http://[::1]:8082');
    expect(() => loadConfig({ PUBLIC_BASE_URL: 'not a url' })).toThrow(ConfigError);
    expect(() => loadConfig({ SURVEY_PERSONAL_DATA_RETENTION_DAYS: '0' })).toThrow(/SURVEY_PERSONAL_DATA_RETENTION_DAYS/);
    expect(() => loadConfig({ SURVEY_IMPORT_MAX_MB: '-1' })).toThrow(/SURVEY_IMPORT_MAX_MB/);
  });
});
