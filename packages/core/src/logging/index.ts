export {
  type ConsoleLogLevel,
  type CoreLogger,
  coreLoggerSchema,
  createConsoleLogger,
  forwardingLogger,
  isCoreLogger,
} from './logger.ts';
