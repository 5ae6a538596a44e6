import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.js';

describe('survey configuration', () => {
  it('has defaults: public base URL, 20 submissions a minute, 200 MB imports, 365 days of demographics', () => {
    expect(loadConfig({})).toMatchObject({
      publicBaseUrl: 'http://localhost:3000',
      surveyRateLimitPerMinute: 20,
      surveyImportMaxBytes: 200 * 1024 * 1024,
      surveyPersonalDataRetentionDays: 365,
    });
  });

  it('drops a trailing slash from PUBLIC_BASE_URL and refuses values that are not URLs or positive', () => {
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://cchc.example.gov.vn/' }).publicBaseUrl).toBe('https://cchc.example.gov.vn');
    expect(() => loadConfig({ PUBLIC_BASE_URL: 'not a url' })).toThrow(ConfigError);
    expect(() => loadConfig({ SURVEY_PERSONAL_DATA_RETENTION_DAYS: '0' })).toThrow(/SURVEY_PERSONAL_DATA_RETENTION_DAYS/);
    expect(() => loadConfig({ SURVEY_IMPORT_MAX_MB: '-1' })).toThrow(/SURVEY_IMPORT_MAX_MB/);
  });
});
