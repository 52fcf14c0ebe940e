export * from './accounts';
export * from './audit';
export * from './channels';
export * from './files';
export * from './messages';
export * from './sync';
export * from './system';
export * from './workspaces';
