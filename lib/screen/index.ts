export { ScreenModel, parseTerminalSize, DEFAULT_COLS, DEFAULT_ROWS, type ScreenLimits, type ScreenLine, type ScreenModelOptions, type ScreenSnapshot, type ScreenState } from './screen-model.js';
export { SessionClock, type ClockState } from './session-clock.js';
