"""ordersight: the order-consistency platform's command line and warehouse plumbing."""
