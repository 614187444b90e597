// Django admin pages: a change list too wide for the window scrolls inside its own labelled,
// focusable box (templates/admin/change_list_results.html names it), as the portal's tables do.
import { watchScrollBox } from "./table-scroll.mjs";

document.querySelectorAll(".results[data-labelledby]").forEach(watchScrollBox);
