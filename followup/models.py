"""Follow-up cycles, status updates and reports (built on the plan in `areas`)."""
