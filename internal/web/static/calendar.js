// Herald: the calendar: month, week and list views, and rescheduling by drag and drop.
