export { ALARM_METHODS, AlarmOptionsSchema, alarmOptions, alarmState, alarmThreshold, expectedDetectionDelay, usable, type AlarmMethod, type AlarmOptions, type AlarmOptionsInput, type AlarmState, type AuditPair } from './alarm.js';
export { AuditLog, AuditLogStateSchema, type AuditEntry, type AuditLogState, type PairedAudit } from './auditLog.js';
export { AuditOptionsSchema, AuditedTeacher, type AuditOptions, type AuditedTeacherState } from './auditedTeacher.js';
export { auditSummary, wilsonInterval, type AuditSummary } from './summary.js';
