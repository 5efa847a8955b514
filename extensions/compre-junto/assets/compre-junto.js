/* caderninho "compre junto" (frequently bought together) block. One script for both platforms:
 * - Shopify theme app extension: blocks/compre-junto.liquid renders a container with data-*
 *   settings; recommendations come through the app proxy (/apps/caderninho/...), the cart through
 *   the Ajax Cart API (/cart/add.js).
 * - WooCommerce: served by the app at /storefront/compre-junto.js?token=…; it finds the product id
 *   on the page, inserts its container after the product summary, adds through ?wc-ajax=add_to_cart.
 * Any failure (app unreachable, slow, bad answer) renders nothing: the shop page is never broken.
 * CaderninhoCompreJunto.render() is pure (data + settings → HTML) and unit-tested. */
(function (root) {
  "use strict";

  var TIMEOUT_MS = 4000;
  var TEXT = {
    en: { heading: "Frequently bought together", addAll: "Add all to cart", add: "Add", added: "Added to cart", total: "Total" },
    pt: { heading: "Compre junto", addAll: "Adicionar todos ao carrinho", add: "Adicionar", added: "Adicionado ao carrinho", total: "Total" },
  };

  function text(locale) {
    return String(locale || "").toLowerCase().indexOf("pt") === 0 ? TEXT.pt : TEXT.en;
  }

  function escapeHtml(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function safeUrl(u) {
    if (typeof u !== "string") return null;
    return /^(https?:)?\/\//i.test(u) || (u.charAt(0) === "/" && u.charAt(1) !== "/") ? u : null;
  }

  /** Minor units → "R$ 19,90" in the shopper's locale (the currency's own number of decimals). */
  function formatMoney(minor, currency, locale) {
    if (minor == null || !currency) return "";
    try {
      var nf = new Intl.NumberFormat(locale || "pt-BR", { style: "currency", currency: currency });
      var digits = nf.resolvedOptions().maximumFractionDigits;
      return nf.format(minor / Math.pow(10, digits));
    } catch (e) {
      return (minor / 100).toFixed(2) + " " + currency;
    }
  }

  /** The block's HTML for an answer of the recommendations endpoint; "" when there is nothing to show. */
  function render(data, settings) {
    var items = (data && Array.isArray(data.items) ? data.items : []).slice(0, settings.limit || 4);
    if (!items.length) return "";
    var t = text(settings.locale);
    var layout = settings.layout === "list" ? "list" : "grid";
    var html = '<div class="cj cj--' + layout + '">';
    html += '<h2 class="cj__heading h2">' + escapeHtml(settings.heading || t.heading) + "</h2>";
    html += '<ul class="cj__items ' + (layout === "grid" ? "grid grid--2-col-tablet-down grid--4-col-desktop" : "cj__list") + '" role="list">';
    var total = 0;
    var currency = null;
    items.forEach(function (item, i) {
      var url = safeUrl(item.url) || "#";
      var img = safeUrl(item.imageUrl);
      if (item.priceMinor != null) {
        total += item.priceMinor;
        currency = currency || item.currency;
      }
      html += '<li class="cj__item grid__item card-wrapper" data-product-id="' + escapeHtml(item.id) + '" data-position="' + i + '">';
      html += '<a class="cj__link card__heading full-unstyled-link" href="' + escapeHtml(url) + '">';
      if (img) html += '<img class="cj__image" src="' + escapeHtml(img) + '" alt="" loading="lazy" width="160" height="160">';
      html += '<span class="cj__title">' + escapeHtml(item.title) + "</span></a>";
      if (settings.showPrices && item.priceMinor != null)
        html += '<div class="cj__price price"><span class="price-item price-item--regular">' + escapeHtml(formatMoney(item.priceMinor, item.currency, settings.locale)) + "</span></div>";
      if (item.variantId || settings.platform === "woocommerce")
        html += '<button type="button" class="cj__add button button--secondary" data-cj-add="' + escapeHtml(item.id) + '">' + escapeHtml(t.add) + "</button>";
      html += "</li>";
    });
    html += "</ul>";
    if (settings.addAll && items.length > 1) {
      html += '<div class="cj__footer">';
      if (settings.showPrices && currency) html += '<span class="cj__total">' + escapeHtml(t.total) + ": " + escapeHtml(formatMoney(total, currency, settings.locale)) + "</span> ";
      html += '<button type="button" class="cj__add-all button button--primary" data-cj-add-all>' + escapeHtml(t.addAll) + "</button></div>";
    }
    html += '<p class="cj__status visually-hidden" role="status" aria-live="polite"></p></div>';
    return html;
  }

  function fetchJson(url) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = setTimeout(function () {
      if (controller) controller.abort();
    }, TIMEOUT_MS);
    return fetch(url, { credentials: "same-origin", signal: controller ? controller.signal : undefined, headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .finally(function () {
        clearTimeout(timer);
      });
  }

  function track(settings, event, productIds) {
    if (!settings.trackUrl) return;
    var body = JSON.stringify({ event: event, sourceProductIds: settings.sourceIds, productIds: productIds, placement: settings.layout });
    try {
      // keepalive: a click usually navigates away before an ordinary request finishes.
      // text/plain keeps the cross-origin (WooCommerce) post a "simple" request: no CORS preflight.
      var type = settings.platform === "woocommerce" ? "text/plain" : "application/json";
      fetch(settings.trackUrl, { method: "POST", body: body, keepalive: true, credentials: "same-origin", headers: { "Content-Type": type } }).catch(function () {});
    } catch (e) {
      /* tracking never breaks the shop */
    }
  }

  function addToCart(settings, items) {
    if (settings.platform === "woocommerce") {
      // WooCommerce's own AJAX add-to-cart endpoint (the one its product buttons use), one per product.
      return items.reduce(function (p, item) {
        return p.then(function () {
          var form = new URLSearchParams({ product_id: item.id, quantity: "1" });
          return fetch(settings.cartAddUrl || "/?wc-ajax=add_to_cart", { method: "POST", body: form, credentials: "same-origin" }).then(function (r) {
            if (!r.ok) throw new Error("HTTP " + r.status);
          });
        });
      }, Promise.resolve());
    }
    var lines = items.map(function (item) {
      return { id: Number(item.variantId) || item.variantId, quantity: 1 };
    });
    return fetch(settings.cartAddUrl || "/cart/add.js", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ items: lines }),
    }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    });
  }

  function attach(el, data, settings) {
    var byId = {};
    data.items.forEach(function (i) {
      byId[i.id] = i;
    });
    var status = el.querySelector(".cj__status");
    var done = function (added) {
      if (status) status.textContent = text(settings.locale).added;
      track(settings, "add_to_cart", added.map(function (i) { return i.id; }));
      // Themes listen for different events; these are the common ones (Dawn's cart drawer, jQuery themes).
      document.dispatchEvent(new CustomEvent("caderninho:cart-added", { detail: { items: added } }));
      document.documentElement.dispatchEvent(new CustomEvent("cart:refresh", { bubbles: true }));
      if (root.jQuery && settings.platform === "woocommerce") root.jQuery(document.body).trigger("wc_fragment_refresh");
    };
    el.addEventListener("click", function (ev) {
      var target = ev.target;
      var link = target.closest && target.closest(".cj__link");
      if (link) {
        var li = link.closest(".cj__item");
        if (li) track(settings, "click", [li.getAttribute("data-product-id")]);
        return;
      }
      var one = target.closest && target.closest("[data-cj-add]");
      var all = target.closest && target.closest("[data-cj-add-all]");
      if (!one && !all) return;
      var items = all ? data.items.slice(0, settings.limit || 4) : [byId[one.getAttribute("data-cj-add")]];
      items = items.filter(function (i) { return i && (i.variantId || settings.platform === "woocommerce"); });
      var button = one || all;
      button.disabled = true;
      addToCart(settings, items)
        .then(function () { done(items); })
        .catch(function () { /* the shopper can still use the product links */ })
        .finally(function () { button.disabled = false; });
    });
  }

  function settingsOf(el) {
    var d = el.dataset;
    var limit = parseInt(d.limit || "4", 10);
    var sourceIds = [d.productId].concat((d.cart || "").split(",")).filter(Boolean);
    return {
      platform: d.platform || "shopify",
      endpoint: d.endpoint,
      trackUrl: d.track || null,
      cartAddUrl: d.cartAdd || null,
      heading: d.heading || "",
      limit: limit >= 1 && limit <= 12 ? limit : 4,
      layout: d.layout || "grid",
      showPrices: d.showPrices !== "false",
      addAll: d.addAll !== "false",
      locale: d.locale || document.documentElement.lang || "pt-BR",
      customer: d.customer || "",
      sourceIds: sourceIds,
    };
  }

  function load(el) {
    if (el.getAttribute("data-cj-loaded")) return;
    el.setAttribute("data-cj-loaded", "1");
    var s = settingsOf(el);
    if (!s.endpoint || !s.sourceIds.length) return;
    var url = s.endpoint + (s.endpoint.indexOf("?") < 0 ? "?" : "&");
    var q = new URLSearchParams();
    if (el.dataset.productId) q.set("product_id", el.dataset.productId);
    if (el.dataset.cart) q.set("cart", el.dataset.cart);
    q.set("limit", String(s.limit));
    // The customer in the URL keeps one shopper's (private) answer out of the next one's cache.
    if (s.customer) q.set("customer", s.customer);
    fetchJson(url + q.toString())
      .then(function (data) {
        var html = render(data, s);
        if (!html) return;
        el.innerHTML = html;
        el.hidden = false;
        attach(el, data, s);
      })
      .catch(function () {
        el.innerHTML = "";
      });
  }

  /** WooCommerce: the product id from the page, and a container after the product summary. */
  function wooContainer(script) {
    var body = document.body;
    var m = body && /(?:^|\s)postid-(\d+)(?:\s|$)/.exec(body.className);
    var input = document.querySelector('form.cart [name="add-to-cart"]');
    var productId = (input && input.value) || (m && m[1]);
    if (!productId) return null;
    var src = new URL(script.src, location.href);
    var token = src.searchParams.get("token");
    if (!token) return null;
    var el = document.createElement("div");
    el.className = "caderninho-compre-junto";
    el.hidden = true;
    el.setAttribute("data-caderninho-compre-junto", "");
    el.dataset.platform = "woocommerce";
    el.dataset.productId = productId;
    el.dataset.endpoint = src.origin + "/storefront/recommendations?token=" + encodeURIComponent(token);
    el.dataset.track = src.origin + "/storefront/track?token=" + encodeURIComponent(token);
    ["limit", "layout", "heading", "showPrices", "addAll"].forEach(function (k) {
      var v = script.dataset[k];
      if (v != null) el.dataset[k] = v;
    });
    var anchor = document.querySelector(script.dataset.after || ".product .summary, form.cart");
    if (anchor && anchor.parentNode) anchor.parentNode.insertBefore(el, anchor.nextSibling);
    else (document.querySelector("main") || document.body).appendChild(el);
    return el;
  }

  function start(script) {
    if (!document.querySelector("[data-caderninho-compre-junto]") && script && /\/storefront\/compre-junto\.js/.test(script.src)) wooContainer(script);
    document.querySelectorAll("[data-caderninho-compre-junto]").forEach(load);
  }

  root.CaderninhoCompreJunto = { render: render, formatMoney: formatMoney, escapeHtml: escapeHtml, load: load };
  if (typeof document !== "undefined") {
    // Only set while this script runs: kept for the WooCommerce case (token in our own src).
    var currentScript = document.currentScript;
    var go = function () {
      start(currentScript);
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", go);
    else go();
  }
})(typeof window !== "undefined" ? window : globalThis);
