// App-wide options, read by the worker once every file of package.json `main`
// is loaded ("add it to any file included by your main field":
// https://learn.microsoft.com/azure/azure-functions/functions-reference-node#http-streams).
// HTTP streams let the Kubernetes watch (`?watch=1`) write events as they
// happen. In the v4 model they are app-wide: every HTTP function's request and
// response then travel through the worker's HTTP proxy, bodies as streams.
import { app } from '@azure/functions';

app.setup({ enableHttpStream: true });
