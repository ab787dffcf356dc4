import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countedState, laterWatermark } from '../../../shared/domain/health/silenceWatermark';

describe('silence watermark', () => {
  const mark = '2026-12-01T12:00:00.000Z';
  it('counts a device last seen before the watermark offline, whatever state its row holds', () => {
    assert.equal(countedState('succeeded', '2026-12-01T11:59:59.999Z', mark), 'offline');
    assert.equal(countedState('failed', '2026-12-01T08:00:00.000Z', mark), 'offline');
  });
  it('counts a device seen at or after the watermark by its stored state, so a returning device is online at once', () => {
    assert.equal(countedState('succeeded', mark, mark), 'succeeded');
    assert.equal(countedState('progressing', '2026-12-01T12:00:01.000Z', mark), 'progressing');
  });
  it('leaves devices alone where no watermark was set, and stored offline stays offline', () => {
    assert.equal(countedState('succeeded', '2000-01-01T00:00:00.000Z', ''), 'succeeded');
    assert.equal(countedState('offline', '2026-12-01T13:00:00.000Z', mark), 'offline');
  });
  it('never moves a watermark back', () => {
    assert.equal(laterWatermark(mark, '2026-12-01T11:00:00.000Z'), mark);
    assert.equal(laterWatermark('', mark), mark);
    assert.equal(laterWatermark(mark, ''), mark);
  });
});
