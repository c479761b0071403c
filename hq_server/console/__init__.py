"""The HQ console (issue 14): HQ staff's web app at /console, server-rendered pages over
hq_server.programme's use cases. Pages never run SQL; every page checks the role."""
