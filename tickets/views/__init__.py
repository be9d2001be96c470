"""Pages of the tickets app. Views parse input, call one selector or service, render the result;
business rules, SLA arithmetic and access rules live in tickets.services and tickets.selectors."""
