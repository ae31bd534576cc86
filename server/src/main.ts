// Entry point of the language server process: makes the connection and hands it to the server.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

const connection = createConnection(ProposedFeatures.all);
startServer(connection);
